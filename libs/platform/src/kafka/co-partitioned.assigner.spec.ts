import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AssignerProtocol, Cluster } from 'kafkajs';
import { CoPartitionedAssigner } from './co-partitioned.assigner';

const PARTITIONS: Record<string, number> = { 'product.get': 3, 'product.stock': 3, 'product.update': 3 };
const cluster = { findTopicPartitionMetadata: (topic: string) => Array.from({ length: PARTITIONS[topic] }, (_, partitionId) => ({ partitionId })) } as unknown as Cluster;

async function assignments(memberIds: string[]) {
  const assigner = CoPartitionedAssigner({ cluster, groupId: 'product-service-server', logger: undefined as never });
  const result = await assigner.assign({ members: memberIds.map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) })), topics: Object.keys(PARTITIONS) });
  return Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
}

describe('CoPartitionedAssigner', () => {
  it('gives one member every partition of every topic', async () => {
    assert.deepEqual(await assignments(['a']), { a: { 'product.get': [0, 1, 2], 'product.stock': [0, 1, 2], 'product.update': [0, 1, 2] } });
  });

  it('gives partition N of every topic to the same member, so one key meets one replica in every topic', async () => {
    assert.deepEqual(await assignments(['b', 'a']), {
      a: { 'product.get': [0, 2], 'product.stock': [0, 2], 'product.update': [0, 2] },
      b: { 'product.get': [1], 'product.stock': [1], 'product.update': [1] },
    });
  });

  it('leaves a member beyond the partition count without partitions, and says so in its assignment', async () => {
    const result = await assignments(['a', 'b', 'c', 'd']);
    assert.deepEqual(result.d, {});
    assert.deepEqual(result.c, { 'product.get': [2], 'product.stock': [2], 'product.update': [2] });
  });
});
