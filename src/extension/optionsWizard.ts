// "Profile with Options…" as one multi-step QuickInput, like VS Code's own multi-step samples:
// "Step k/n" in the title bar, a Back button from the second step on, the default of each step
// marked and selected first (so Enter, Enter, Enter, Enter profiles with the defaults), and the
// earlier answers kept when going back. The choices are src/model/profile-options.ts's.
import * as vscode from 'vscode';
import * as os from 'node:os';
import { parseSampleInterval, scheduleChoices, splitArgs, threadChoices, type Choice } from '../model/profile-options';
import type { Schedule } from '../model/report';
import type { ProfileSettings } from './settings';
import type { ProfileRequest } from './profiling';

/** The step on screen, for tests and diagnostics. */
export interface WizardStep {
  title: string;
  step: number;
  totalSteps: number;
  items: string[];
  active?: string;
  value?: string;
}

const BACK = Symbol('back');
type Answer<T> = T | typeof BACK | undefined;

let onScreen: WizardStep | undefined;
/** The wizard step shown right now, if any. */
export function currentWizardStep(): WizardStep | undefined {
  return onScreen && { ...onScreen, items: [...onScreen.items] };
}

type ChoiceItem<T> = vscode.QuickPickItem & { choice: Choice<T> };

function pick<T>(title: string, step: number, totalSteps: number, choices: Choice<T>[], previous: Choice<T> | undefined): Promise<Answer<Choice<T>>> {
  const input = vscode.window.createQuickPick<ChoiceItem<T>>();
  const items = choices.map((choice) => ({ label: choice.label, description: choice.description, detail: choice.detail, choice }));
  Object.assign(input, { title, step, totalSteps, items, ignoreFocusOut: true, buttons: step > 1 ? [vscode.QuickInputButtons.Back] : [] });
  const first = items.find((i) => i.choice === previous) ?? items.find((i) => i.choice.isDefault);
  if (first) input.activeItems = [first];
  onScreen = { title, step, totalSteps, items: items.map((i) => i.label), active: first?.label };
  return new Promise((resolve) => {
    const done = (answer: Answer<Choice<T>>) => { resolve(answer); input.dispose(); onScreen = undefined; };
    input.onDidChangeActive((a) => { if (onScreen) onScreen.active = a[0]?.label; });
    input.onDidAccept(() => done(input.activeItems[0]?.choice));
    input.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) done(BACK); });
    input.onDidHide(() => done(undefined));
    input.show();
  });
}

function text(title: string, step: number, totalSteps: number, prompt: string, value: string,
  validate: (v: string) => string | undefined): Promise<Answer<string>> {
  const input = vscode.window.createInputBox();
  Object.assign(input, { title, step, totalSteps, prompt, value, ignoreFocusOut: true, buttons: step > 1 ? [vscode.QuickInputButtons.Back] : [] });
  onScreen = { title, step, totalSteps, items: [], value };
  return new Promise((resolve) => {
    const done = (answer: Answer<string>) => { resolve(answer); input.dispose(); onScreen = undefined; };
    input.onDidChangeValue((v) => {
      input.validationMessage = validate(v);
      if (onScreen) onScreen.value = v;
    });
    input.onDidAccept(() => {
      const problem = validate(input.value);
      if (problem) input.validationMessage = problem;
      else done(input.value);
    });
    input.onDidTriggerButton((b) => { if (b === vscode.QuickInputButtons.Back) done(BACK); });
    input.onDidHide(() => done(undefined));
    input.show();
  });
}

/** Threads, schedule, sampling interval and arguments; undefined when the user cancels. */
export async function askProfileOptions(script: string, defaults: ProfileSettings): Promise<ProfileRequest | undefined> {
  const total = 4;
  const threads = threadChoices(os.availableParallelism(), defaults.threads);
  const schedules = scheduleChoices(defaults.schedule);
  let thread: Choice<number> | undefined;
  let schedule: Choice<Schedule> | undefined;
  let interval = String(defaults.sampleIntervalUs);
  let args = '';
  for (let step = 1; step <= total;) {
    let answer: Answer<unknown>;
    if (step === 1) answer = thread = await pick('Profile with options: threads', 1, total, threads, thread) as Choice<number> | undefined;
    else if (step === 2) answer = await pick('Profile with options: schedule', 2, total, schedules, schedule);
    else if (step === 3) {
      answer = await text('Profile with options: CPU sampling interval', 3, total, `µs between CPU samples; 0 turns CPU profiling off (default ${defaults.sampleIntervalUs})`,
        interval, (v) => { const p = parseSampleInterval(v); return 'error' in p ? p.error : undefined; });
    } else {
      answer = await text('Profile with options: script arguments', 4, total, 'Arguments for the script, space-separated; quotes group (default none)', args, () => undefined);
    }
    if (answer === undefined) return undefined;
    if (answer === BACK) {
      step--;
      continue;
    }
    if (step === 2) schedule = answer as Choice<Schedule>;
    if (step === 3) interval = answer as string;
    if (step === 4) args = answer as string;
    step++;
  }
  const sample = parseSampleInterval(interval);
  return {
    script, threads: thread?.value, schedule: schedule?.value, args: splitArgs(args),
    sampleIntervalUs: 'value' in sample ? sample.value : defaults.sampleIntervalUs,
  };
}

/** "Profile with N threads…": one step, the default marked. */
export async function askThreads(defaults: ProfileSettings): Promise<{ threads: number | undefined } | undefined> {
  const answer = await pick('Profile with how many pool threads?', 1, 1, threadChoices(os.availableParallelism(), defaults.threads), undefined);
  return answer === undefined || answer === BACK ? undefined : { threads: answer.value };
}
