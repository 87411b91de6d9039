import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { adminWithCluster } from './kafka-admin';

describe('adminWithCluster', () => {
  it("reaches the kafkajs cluster behind the admin, to ask end offsets in one round trip (a kafkajs release that hides it needs this looked at again)", () => {
    const kafka = new Kafka({ clientId: 'test', brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
    const { admin, cluster } = adminWithCluster(kafka);
    assert.equal(typeof admin.fetchTopicOffsets, 'function');
    assert.ok(cluster, 'the cluster the admin was built with');
    for (const method of ['addTargetTopic', 'refreshMetadataIfNecessary', 'refreshMetadata', 'findTopicPartitionMetadata', 'fetchTopicsOffset'] as const) {
      assert.equal(typeof cluster[method], 'function', method);
    }
    assert.equal(adminWithCluster(kafka).cluster === cluster, false, 'each admin its own cluster, as kafkajs builds them');
  });
});
