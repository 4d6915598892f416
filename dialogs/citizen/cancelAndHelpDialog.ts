import { ComponentDialog, DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import { LANG, textsFor, withMenu } from './common';

/**
 * "hủy", "thôi", "menu", "help", "trợ giúp" work at any step (BotBuilder-Samples' CancelAndHelpDialog).
 * A message that is only one of these commands interrupts the dialog.
 */
export class CancelAndHelpDialog extends ComponentDialog {
  constructor(id: string, protected readonly services: BotServices) {
    super(id);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interrupted = await this.interrupt(innerDc);
    return interrupted ?? super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const text = innerDc.context.activity.text;
    if (!text) return undefined;
    const intent = this.services.intents.recognize(text);
    if (intent === 'english') innerDc.context.turnState.set(LANG, 'en');
    const t = textsFor(innerDc.context);
    switch (intent) {
      case 'cancel':
        await innerDc.context.sendActivity(withMenu(t, t.cancelled));
        return innerDc.cancelAllDialogs(true);
      case 'menu':
      case 'greeting':
        await innerDc.context.sendActivity(withMenu(t, t.welcome));
        return innerDc.cancelAllDialogs(true);
      case 'help':
      case 'english':
        await innerDc.context.sendActivity(t.help);
        // Re-ask the question the dialog is waiting for.
        await innerDc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      default:
        return undefined;
    }
  }
}
