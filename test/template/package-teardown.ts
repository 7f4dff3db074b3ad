import { rmSync } from 'node:fs';

export default function teardown(): void {
  if (process.env.TEMPLATE_DEV_DIR) rmSync(process.env.TEMPLATE_DEV_DIR, { recursive: true, force: true });
}
