/** Entity ids: random UUIDs, created where the entity is born, stable across bundles. */
export function newId(): string {
  return crypto.randomUUID();
}
