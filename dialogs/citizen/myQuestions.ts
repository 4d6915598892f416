import { MessageFactory, type Activity } from 'botbuilder';
import type { BotServices } from '../../src/bot/services';
import type { MyQuestionItem, Texts } from '../../src/bot/texts';
import { openCase } from '../../src/domain/lifecycle';
import { questionText } from '../../src/domain/question-text';
import { redactForPublic } from '../../src/domain/redact';
import { excerpt } from '../../src/domain/text';

/** data/policy.json `myQuestions` when absent. */
const DEFAULTS = { listed: 10, answerChars: 300 };

/**
 * "Câu hỏi của tôi": the questions filed from this identity (a Zalo or Messenger user, a portal browser's
 * identity), newest first, each with its status, agency and deadlines, or the answer's start and its page
 * /hoi-dap/HD-...; the tickets as buttons to open one in full (and rate it). Texts as published: redacted.
 */
export async function myQuestionsMessage(services: BotServices, t: Texts, tickets: readonly string[]): Promise<Partial<Activity>> {
  const { store, data } = services;
  const policy = { ...DEFAULTS, ...data.policy.myQuestions };
  const newest = [...new Set(tickets)].reverse();
  const shown = newest.slice(0, policy.listed);
  const states = await store.loadQuestions(shown);
  const items: MyQuestionItem[] = [];
  for (const ticket of shown) {
    const state = states.get(ticket);
    if (!state) continue;
    const events = await store.questionEvents(ticket);
    const item: MyQuestionItem = {
      ticket,
      askedOn: data.clock.formatDateVi(state.submittedAt),
      question: excerpt(redactForPublic(questionText(events))),
      status: t.statusNames[state.status],
      agency: state.agency ? (data.agencies.get(state.agency)?.name ?? state.agency) : '—',
    };
    const open = openCase(state);
    if (open) {
      item.answerDue = data.clock.formatDateVi(open.answerDue);
      if (open.accepted === undefined) item.acceptDue = data.clock.formatDateVi(open.acceptDue);
    }
    if (state.status === 'answered') {
      const answered = events.filter((e) => e.type === 'answered').pop();
      if (answered) {
        item.answeredOn = data.clock.formatDateVi(answered.at);
        item.answer = excerpt(redactForPublic(String((JSON.parse(answered.body) as { text?: unknown }).text ?? '')), policy.answerChars);
      }
    }
    items.push(item);
  }
  const text = t.myQuestionsList(items, newest.length - shown.length);
  return MessageFactory.suggestedActions(
    items.map((i) => i.ticket),
    text,
  );
}
