import fs from 'node:fs';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Where code comes from: a package, a Node.js module, or a file of the BFF. */
function originOf(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  const dependency = url.match(
    /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/,
  );
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return url;
  const own = url.match(/\/(apps|packages)\/([^/]+)\/src\/(.+)$/);
  return own ? `${own[2]}/${own[3]}` : url;
}

/**
 * The busy time of a V8 CPU profile by origin and by function, self time only (idle left out),
 * as lines to print: the top `top` of each.
 */
export function summariseProfile(file: string, top = 12): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    const time = profile.timeDeltas[index] ?? 0;
    busy += time;
    const origin = originOf(url, functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + time);
    const name = `${functionName || '(anonymous)'} (${origin}${url ? `:${lineNumber + 1}` : ''})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  });
  const share = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `${((100 * time) / busy).toFixed(1).padStart(5)} %  ${name}`);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms; self time by origin:`,
    ...share(byOrigin),
    'by function:',
    ...share(byFunction),
  ];
}
