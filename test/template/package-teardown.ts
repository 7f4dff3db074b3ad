import { rmSync } from 'node:fs';

export default function teardown(): void {
  for (const dir of [process.env.TEMPLATE_DEV_DIR, process.env.TEMPLATE_CUSTOM_DIR]) {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
