// The memory rows of the two Secrets Manager rotation functions (scripts/bench/memory.ts): their
// production handlers (module wiring as deployed: Powertools Logger at INFO on stdout, the system
// clock, one SecretsManagerClient made at the first step and reused), invoked as Secrets Manager
// invokes them, against engines in another process (rotation-engines.ts). Load child-env.ts first.
// The SDK and the handlers load in rotation() only: the other rows' processes import this module too.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { RotationEngines } from './rotation-engines.ts';

export const ROTATION_FUNCTIONS = ['rotateSigningKey', 'rotateServiceTokenSecret'] as const;
type RotationFunction = (typeof ROTATION_FUNCTIONS)[number];

/** The stage parameter serviceTokenGraceHours's default (serverless.yml), the function's SERVICE_TOKEN_GRACE_HOURS. */
const GRACE_HOURS = '24';

export interface Rotation {
  /** One rotation step (invocation); a rotation starts before each createSecret, and is checked after finishSecret. */
  invoke(): Promise<void>;
  /** Ends the engines' process. */
  stop(): void;
}

export const isRotationFunction = (name: string): name is RotationFunction => (ROTATION_FUNCTIONS as readonly string[]).includes(name);

export async function rotation(fn: RotationFunction): Promise<Rotation> {
  // Not this process's V8 flags (--expose-gc, the control rows' young generation).
  const child = fork(new URL('./rotation-engines.ts', import.meta.url), [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const stop = () => { if (child.exitCode === null && child.signalCode === null) child.kill(); };
  try {
    const [engines] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => { throw new Error(`rotation-engines.ts exited (${code}) before it was ready`); }),
    ])) as [RotationEngines];

    const { DescribeSecretCommand, RotateSecretCommand } = await import('@aws-sdk/client-secrets-manager');
    const { pointSdkAt, secretsManagerClient } = await import('../../test/support/secrets-manager.ts');
    const { ROTATION_STEPS: STEPS } = await import('../../lib/aws/secrets-manager-rotation.ts');
    // Where Lambda's environment would point the SDK, and the function's configuration.
    pointSdkAt(engines.secretsManager);
    process.env.DYNAMODB_ENDPOINT = engines.dynamodbEndpoint;
    process.env.TABLE_NAME = engines.tableName;
    process.env.SERVICE_TOKEN_GRACE_HOURS = GRACE_HOURS;
    const { handler } = fn === 'rotateSigningKey'
      ? await import('../../handlers/rotateSigningKey.ts')
      : await import('../../handlers/rotateServiceTokenSecret.ts');
    const secretId = fn === 'rotateSigningKey' ? engines.signingKeyArn : engines.serviceTokenArn;

    // Secrets Manager's side: one long-lived client that starts each rotation and checks its end.
    const secretsManager = secretsManagerClient(engines.secretsManager);
    let step = 0;
    let token = '';
    return {
      async invoke() {
        const name = STEPS[step % STEPS.length]!;
        if (name === 'createSecret') {
          token = randomUUID();
          await secretsManager.send(new RotateSecretCommand({
            SecretId: secretId, ClientRequestToken: token, RotationRules: { AutomaticallyAfterDays: 30 },
            RotationLambdaARN: `arn:aws:lambda:us-east-1:123456789012:function:databrain-admin-api-bench-${fn}`,
          }));
        }
        await handler({ SecretId: secretId, ClientRequestToken: token, Step: name });
        step++;
        if (name === 'finishSecret') {
          const { VersionIdsToStages: stages = {} } = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
          if (!stages[token]?.includes('AWSCURRENT')) throw new Error(`${fn}: rotation ${step / STEPS.length} did not make its version AWSCURRENT`);
        }
      },
      stop() {
        secretsManager.destroy();
        stop();
      },
    };
  } catch (error) {
    stop();
    throw error;
  }
}
