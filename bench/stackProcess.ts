import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type {
  BenchToStackMessage,
  StackReadyMessage,
  StackStartMessage,
  StackStatus,
  StackToBenchMessage,
} from './stackProtocol';

/** Time the stack may take to stop before its process is killed. */
const stopTimeoutMs = 15_000;

interface PendingReply {
  expected: 'ready' | 'status';
  resolve(message: StackReadyMessage | StackStatus): void;
  reject(error: Error): void;
}

/**
 * The forked `stack.js` process. Each request gets exactly one reply and the child replies to them
 * in order, so replies are matched to requests first in, first out.
 */
export class StackProcess {
  private readonly pending: PendingReply[] = [];
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    // The stack's output goes to stderr so that stdout keeps only the benchmark's own lines.
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    child.on('message', (message: StackToBenchMessage) => this.receive(message));
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        const reason = `The stack process exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
        for (const reply of this.pending.splice(0)) reply.reject(new Error(reason));
        resolve();
      });
    });
  }

  /** Forks the stack, starts its servers and generates the orders. Resolves once it is ready. */
  static async start(
    options: Omit<StackStartMessage, 'type'>,
  ): Promise<{ stack: StackProcess; ready: StackReadyMessage }> {
    const child = fork(path.join(__dirname, 'stack.js'), [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const stack = new StackProcess(child);
    try {
      const ready = await stack.request({ type: 'start', ...options }, 'ready');
      return { stack, ready: ready as StackReadyMessage };
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  async status(): Promise<StackStatus> {
    return (await this.request({ type: 'status' }, 'status')) as StackStatus;
  }

  /** Asks the stack to stop its servers and waits for its process to exit, or kills it on time-out. */
  async stop(): Promise<void> {
    if (this.exited) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies BenchToStackMessage);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), stopTimeoutMs);
    });
    const killed = await Promise.race([this.exit.then(() => false), timedOut]);
    clearTimeout(timer);
    if (killed) {
      console.error(`The stack process did not exit within ${stopTimeoutMs} ms; killing it.`);
      this.child.kill();
      await this.exit;
    }
  }

  private request(
    message: BenchToStackMessage,
    expected: PendingReply['expected'],
  ): Promise<StackReadyMessage | StackStatus> {
    if (this.exited || !this.child.connected) {
      return Promise.reject(new Error('The stack process is not running'));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ expected, resolve, reject });
      this.child.send(message);
    });
  }

  private receive(message: StackToBenchMessage): void {
    const reply = this.pending.shift();
    if (!reply) return;
    if (message.type === 'failed') {
      reply.reject(new Error(`The stack process failed: ${message.message}`));
    } else if (message.type !== reply.expected) {
      reply.reject(
        new Error(`The stack process sent '${message.type}' instead of '${reply.expected}'`),
      );
    } else {
      reply.resolve(message);
    }
  }
}
