import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface SeenMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
}

/**
 * Reads topics from their beginning with a group of its own, keeping every message,
 * so a test can wait for the one its action caused (matched by id, never by position).
 */
export class TopicWatcher {
  private readonly seen: SeenMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private consumer?: Consumer;

  constructor(private readonly brokers: string) {}

  async start(topics: string[]): Promise<this> {
    const kafka = new Kafka({ clientId: 'e2e-watcher', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `e2e-watcher-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const text = message.value?.toString() ?? null;
        let value: unknown = text;
        try {
          value = text === null ? null : JSON.parse(text);
        } catch {
          // kept as text: that is what the test wants to see
        }
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        this.seen.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value, headers });
        for (const wake of this.waiters) wake();
      },
    });
    return this;
  }

  /** Every message seen so far. */
  messages(): readonly SeenMessage[] {
    return this.seen;
  }

  /** Resolves with the first message on `topic` that `match` accepts; rejects after `timeoutMs`. */
  waitFor(topic: string, match: (m: SeenMessage) => boolean, timeoutMs = 15_000): Promise<SeenMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.seen.find((m) => m.topic === topic && match(m));
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(found);
        return true;
      };
      const wake = () => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching message on ${topic} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.waiters.add(wake);
    });
  }

  all(topic: string, match: (m: SeenMessage) => boolean = () => true): SeenMessage[] {
    return this.seen.filter((m) => m.topic === topic && match(m));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Produces raw messages, as a misbehaving client or a redelivery would. */
export async function produceRaw(brokers: string, topic: string, messages: { key?: string; value: string; headers?: Record<string, string> }[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-producer', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Waits until a consumer group is Stable with `members` members that each own at
 * least one partition: after a replica joins, requests are safe only from then on.
 */
export async function waitForStableGroup(brokers: string, groupId: string, members: number, timeoutMs = 30_000): Promise<void> {
  const kafka = new Kafka({ clientId: 'e2e-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  let last = '';
  try {
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const assigned = group.members.filter((m) => m.memberAssignment.length > 0).length;
      last = `${group.state} with ${group.members.length} members (${assigned} assigned)`;
      if (group.state === 'Stable' && group.members.length === members && assigned === members) return;
      if (Date.now() - started > timeoutMs) throw new Error(`group ${groupId} not stable with ${members} members within ${timeoutMs} ms: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
