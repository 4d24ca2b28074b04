export async function seedDemo(_kv: Deno.Kv) {
  return { username: "demo", password: "demo-password" };
}
