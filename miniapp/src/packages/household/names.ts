/** The rule of shared/src/api/households.ts, checked before asking the hub, in the resident's words. */
export function nameProblem(name: string): string | null {
  const n = Array.from(name.trim()).length;
  if (n === 0) return '请填写分组名称，如“我家”';
  if (n > 20) return '分组名称最多 20 个字';
  return null;
}

export function displayNameProblem(name: string): string | null {
  const n = Array.from(name.trim()).length;
  if (n === 0) return '请填写你在分组中的称呼，如“妈妈”';
  if (n > 12) return '称呼最多 12 个字';
  return null;
}
