import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * A real browser for smoke tests: Debian's chromium, headless, driven over the DevTools protocol
 * with Node's own WebSocket. Just enough to open a page, wait for it to render, run a script in it
 * and see which requests it made.
 */

/** No sandbox (CI runs as root), nothing fetched behind the page's back (updates, sync, field trials). */
export const HEADLESS_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** $CHROMIUM if set, else the first of chromium, chromium-browser that runs; undefined if none does. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM ? [process.env.CHROMIUM] : ['chromium', 'chromium-browser'];
  return candidates.find((command) => {
    const { status, stdout } = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return status === 0 && /chrom/i.test(stdout);
  });
}

interface Message {
  id?: number;
  method?: string;
  params?: any;
  result?: any;
  error?: { message: string };
  sessionId?: string;
}

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Set<(message: Message) => void>();

  private readonly child: ChildProcess;
  private readonly socket: WebSocket;
  private readonly profile: string;

  private constructor(child: ChildProcess, socket: WebSocket, profile: string) {
    this.child = child;
    this.socket = socket;
    this.profile = profile;
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (waiting) {
        this.pending.delete(message.id!);
        if (message.error) waiting.reject(new Error(message.error.message));
        else waiting.resolve(message.result);
      }
      for (const listener of this.listeners) listener(message);
    });
  }

  /** Starts chromium on a fresh profile; resolves once its DevTools endpoint answers. */
  static async launch(executable: string, timeoutMs = 60_000): Promise<Chromium> {
    const profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    const child = spawn(executable, [...HEADLESS_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank'], {
      // Its own process group: close() reaches the renderers and helpers too.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`chromium opened no DevTools endpoint within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const found = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
        child.once('error', reject);
        child.once('exit', (code, signal) => reject(new Error(`chromium exited (${signal ?? `code ${code}`}):\n${stderr}`)));
      });
      const socket = new WebSocket(endpoint);
      await once(socket, 'open');
      return new Chromium(child, socket, profile);
    } catch (error) {
      killGroup(child);
      rmSync(profile, { recursive: true, force: true });
      throw error;
    }
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** A new tab on `url`, once its load event fired, recording every request it makes. */
  async open(url: string, timeoutMs = 60_000): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId);
    this.listeners.add((message) => {
      if (message.sessionId !== sessionId) return;
      if (message.method === 'Network.requestWillBeSent') page.requests.push(message.params.request.url);
      if (message.method === 'Runtime.exceptionThrown') page.errors.push(message.params.exceptionDetails.exception?.description ?? message.params.exceptionDetails.text);
    });
    await Promise.all(['Page.enable', 'Runtime.enable', 'Network.enable'].map((method) => this.send(method, {}, sessionId)));
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url} did not load within ${timeoutMs} ms`)), timeoutMs);
      const listener = (message: Message) => {
        if (message.sessionId === sessionId && message.method === 'Page.loadEventFired') {
          clearTimeout(timer);
          this.listeners.delete(listener);
          resolve();
        }
      };
      this.listeners.add(listener);
    });
    const navigation = await this.send('Page.navigate', { url }, sessionId);
    if (navigation.errorText) throw new Error(`chromium could not open ${url}: ${navigation.errorText}`);
    await loaded;
    return page;
  }

  async close(): Promise<void> {
    const exited = this.child.exitCode === null ? once(this.child, 'exit') : Promise.resolve();
    await this.send('Browser.close').catch(() => undefined);
    this.socket.close();
    await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000).unref())]);
    killGroup(this.child);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  /** The URL of every request the page made, in order. */
  readonly requests: string[] = [];
  /** Uncaught exceptions thrown in the page. */
  readonly errors: string[] = [];

  private readonly browser: Chromium;
  private readonly sessionId: string;

  constructor(browser: Chromium, sessionId: string) {
    this.browser = browser;
    this.sessionId = sessionId;
  }

  /** Runs `expression` in the page (awaiting it if it is a promise) and returns its value, as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.browser.send(
      'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.sessionId,
    );
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value as T;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
