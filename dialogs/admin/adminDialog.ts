import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { ComponentDialog, DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogState, type WaterfallStepContext } from 'botbuilder-dialogs';
import { answerQuery, type AdminDeps } from '../../src/admin/answers';
import { loadAdminPhrases, parseAdminQuery, type AdminQuery } from '../../src/admin/query';

export type { AdminDeps } from '../../src/admin/answers';

export const ADMIN_DIALOG_ID = 'admin';

export interface AdminDialogOptions {
  /** The message that opened the dialog, answered at once; without it the dialog waits for the first query. */
  text?: string;
}

/** Parses one administrator's message and answers it from the store (markdown text, buttons, the xlsx file). */
export async function answerAdminQuery(text: string, deps: AdminDeps): Promise<Array<Partial<Activity>>> {
  return answerQuery(queryOf(text, deps), deps);
}

function queryOf(text: string, deps: AdminDeps): AdminQuery {
  const { data, normalizer, gazetteer } = deps;
  return parseAdminQuery(text, { agencies: data.agencies, normalizer, gazetteer, clock: data.clock, now: deps.now(), phrases: deps.phrases });
}

const QUERY_PROMPT = 'admin.query';
const STEPS = 'admin.steps';

/**
 * The administrators' and editors' queries in chat. Each message is one query,
 * answered at once; the dialog then waits for the next one, until "thoát". Whoever
 * wires it checks first that the chat identity is linked to an editor or admin account.
 */
export class AdminDialog extends ComponentDialog {
  constructor(private readonly deps: AdminDeps) {
    super(ADMIN_DIALOG_ID);
    // Read (and validated) when the bot starts: a broken intents/admin.json stops the start-up naming the file and the entry, not an admin's first query.
    if (!deps.phrases) loadAdminPhrases();
    // No prompt text: after an answer the dialog waits silently for the next query.
    this.addDialog(new TextPrompt(QUERY_PROMPT)).addDialog(new WaterfallDialog(STEPS, [this.waitStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  /** Runs a turn on its own dialog stack (for a bot that routes linked admin accounts here). */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    const set = new DialogSet(accessor);
    set.add(this);
    const dc = await set.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(this.id, { text: context.activity.text } satisfies AdminDialogOptions);
  }

  private async waitStep(step: WaterfallStepContext) {
    const text = ((step.options ?? {}) as AdminDialogOptions).text?.trim();
    if (text) return step.next(text);
    return step.prompt(QUERY_PROMPT, {});
  }

  private async answerStep(step: WaterfallStepContext) {
    const query = queryOf(String(step.result ?? ''), this.deps);
    await step.context.sendActivities(await answerQuery(query, this.deps));
    if (query.kind === 'exit') return step.endDialog();
    return step.replaceDialog(STEPS, {} satisfies AdminDialogOptions);
  }
}
