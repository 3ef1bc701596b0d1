// PostGraphile as a CoC's engineer would set it up over Concord's database: the amber preset
// on the public schema, logged in as Concord's login role, each request in a transaction as
// Concord's request role with the tenant from a header — the same row-level security that
// binds Concord.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.POOL_SIZE ?? 10) },
      pgSettings(ctx) {
        const tenant = ctx.node?.req?.headers?.["x-tenant-id"];
        return { role: "concord_app", "app.tenant_id": String(tenant ?? "") };
      },
    }),
  ],
  grafserv: { port: Number(process.env.PORT ?? 5678), host: "127.0.0.1" },
  grafast: { explain: false },
};

export default preset;
