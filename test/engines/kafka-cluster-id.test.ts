import { kafkaClusterId } from '../../scripts/engines/kafka';

describe('kafkaClusterId', () => {
  it('is 22 URL-safe base64 characters and never starts with "-" (the storage tool reads that as an option)', () => {
    // 5,000 draws: the old id started with '-' one time in 64, so this saw it ~78 times.
    for (let i = 0; i < 5_000; i++) {
      const id = kafkaClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
