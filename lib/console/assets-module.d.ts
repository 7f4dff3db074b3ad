// The console's assets, built into the `console` function's bundle by the esbuild plugin of
// scripts/console.ts (serverless.yml, custom.esbuild.plugins).
declare module 'virtual:console-assets' {
  const assets: import('./site.ts').ConsoleAssets;
  export default assets;
}
