// ioredis against PepperCache: strings, hashes, lists, sets, sorted sets, expiry and a pipeline, printing what came
// back one line per area; test/PepperCache.Server.Tests/Ecosystem/NodeClientIntegrationTests.cs compares the lines.
//   node ioredis.mjs single 127.0.0.1 9004
//   node ioredis.mjs cluster 127.0.0.1 9004     (ioredis Cluster: CLUSTER SLOTS, then each key to its member)
// Every key carries the hash tag {js}, so the pipeline and multi-key commands stay in one slot in cluster mode.
import Redis from 'ioredis';

const [mode, host, port] = process.argv.slice(2);
const options = { connectTimeout: 5000, maxRetriesPerRequest: 2, retryStrategy: () => null };
const redis = mode === 'cluster'
  ? new Redis.Cluster([{ host, port: Number(port) }], { redisOptions: options, clusterRetryStrategy: () => null, slotsRefreshTimeout: 5000 })
  : new Redis({ host, port: Number(port), ...options });
const print = (area, value) => console.log(`${area} ${JSON.stringify(value)}`);
const k = (name) => `{js}:${name}`;

try {
  await redis.del(k('s'), k('n'), k('h'), k('l'), k('set'), k('set2'), k('z'), k('ttl'), k('p'));

  print('strings', [
    await redis.set(k('s'), 'hello'),
    await redis.append(k('s'), ' world'),
    await redis.get(k('s')),
    await redis.incrby(k('n'), 41),
    await redis.incr(k('n')),
    await redis.getrange(k('s'), 0, 4),
    await redis.mget(k('s'), k('missing')),
    await redis.set(k('s'), 'x', 'NX'),
  ]);

  print('hashes', [
    await redis.hset(k('h'), { name: 'pepper', heat: '5' }),
    await redis.hget(k('h'), 'name'),
    await redis.hincrby(k('h'), 'heat', 3),
    await redis.hgetall(k('h')),
    await redis.hexists(k('h'), 'nope'),
    await redis.hdel(k('h'), 'name'),
    await redis.hlen(k('h')),
  ]);

  print('lists', [
    await redis.rpush(k('l'), 'a', 'b', 'c'),
    await redis.lpush(k('l'), 'z'),
    await redis.lrange(k('l'), 0, -1),
    await redis.lpop(k('l')),
    await redis.rpop(k('l'), 2),
    await redis.llen(k('l')),
  ]);

  print('sets', [
    await redis.sadd(k('set'), 'a', 'b', 'c', 'a'),
    await redis.sadd(k('set2'), 'b', 'c', 'd'),
    (await redis.smembers(k('set'))).sort(),
    await redis.sismember(k('set'), 'b'),
    (await redis.sinter(k('set'), k('set2'))).sort(),
    await redis.scard(k('set')),
  ]);

  print('sortedsets', [
    await redis.zadd(k('z'), 3, 'c', 1, 'a', 2, 'b'),
    await redis.zrange(k('z'), 0, -1, 'WITHSCORES'),
    await redis.zincrby(k('z'), 2.5, 'a'),
    await redis.zrevrange(k('z'), 0, 0),
    await redis.zrangebyscore(k('z'), '(2', '+inf'),
    await redis.zscore(k('z'), 'b'),
    await redis.zrank(k('z'), 'c'),
  ]);

  await redis.set(k('ttl'), 'v', 'EX', 100);
  const ttl = await redis.ttl(k('ttl'));
  await redis.pexpire(k('ttl'), 1);
  let gone = null;
  for (let i = 0; i < 100 && gone !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gone = await redis.exists(k('ttl'));
  }
  print('expiry', [ttl > 95 && ttl <= 100, await redis.ttl(k('s')), await redis.ttl(k('missing')), gone]);

  const results = await redis.pipeline()
    .set(k('p'), '1')
    .incr(k('p'))
    .get(k('p'))
    .hset(k('h'), 'via', 'pipeline')
    .hget(k('h'), 'via')
    .exec();
  print('pipeline', results.map(([error, value]) => (error ? `ERR ${error.message}` : value)));

  print('errors', [await redis.get(k('h')).catch((e) => e.message)]);
} finally {
  redis.disconnect();
}
