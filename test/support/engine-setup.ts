import { javaAvailable, startDynalite, startDynamoDbLocal, type LocalEngine } from '../../scripts/dynamodb.ts';

export const ENGINES = ['dynalite', 'dynamodb-local'] as const;
export type EngineName = (typeof ENGINES)[number];

declare global {
  var __ENGINE__: LocalEngine | undefined;
}

/** Starts the engine named by DDB_ENGINE for the whole run and hands its endpoint to the tests. */
export default async function setup(): Promise<void> {
  const name = (process.env.DDB_ENGINE ?? 'dynalite') as EngineName;
  if (!ENGINES.includes(name)) throw new Error(`DDB_ENGINE must be one of ${ENGINES.join(', ')}, not "${name}"`);
  if (name === 'dynamodb-local' && !javaAvailable()) throw new Error('DynamoDB Local needs Java 17+ on the PATH');
  const engine = name === 'dynalite' ? await startDynalite({ port: 0 }) : await startDynamoDbLocal({ port: 0 });
  globalThis.__ENGINE__ = engine;
  process.env.DDB_ENGINE = name;
  process.env.DDB_ENDPOINT = engine.endpoint;
}
