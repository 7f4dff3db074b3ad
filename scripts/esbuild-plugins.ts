// esbuild plugins of the functions' bundles (serverless.yml, custom.esbuild.plugins; also
// scripts/bundles.ts): the admin console's assets, built into the `console` function.
import { consoleAssetsPlugin } from './console.ts';

export default [consoleAssetsPlugin()];
