import { AssignerProtocol, PartitionAssigner } from 'kafkajs';

/**
 * Gives partition N of every topic to the same member of the group: a service replica
 * that owns partition N of product.stock also owns partition N of product.get and
 * product.update. Keys land on the same partition number in every topic with the same
 * partition count (the default partitioner hashes the key), so every request about one
 * entity reaches one replica, which can keep that entity's state in memory and answer
 * reads from it (read-your-writes: its own writes are the only ones). kafkajs'
 * round-robin assigner spreads topic-partitions without that guarantee.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'CoPartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const sorted = members.map((m) => m.memberId).sort();
    const assignment = new Map<string, Record<string, number[]>>(sorted.map((id) => [id, {}]));
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const owner = assignment.get(sorted[partitionId % sorted.length])!;
        (owner[topic] ??= []).push(partitionId);
      }
    }
    return [...assignment].map(([memberId, topicsOf]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topicsOf, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'CoPartitionedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
