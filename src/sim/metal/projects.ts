/** `GET /projects` (paginated, `name` filter), `GET /projects/{id}` and `GET /user`. */
import { forbidden } from "./api_errors.ts";
import { requireProject, visibleProjects } from "./access.ts";
import { type Handler, ok } from "./context.ts";
import { paginate, pagingOf } from "./pagination.ts";
import { expansionOf } from "./query.ts";
import { renderProject, renderUser } from "./render.ts";

/** `GET /projects`: the projects the token can see. */
export const listProjects: Handler = (ctx) => {
  const paging = pagingOf(ctx.query);
  const name = ctx.query.get("name");
  const projects = visibleProjects(ctx.world, ctx.principal).filter((p) => name === null || p.name === name);
  const page = paginate(projects, paging, ctx.path, ctx.query);
  const e = expansionOf(ctx.query);
  return ok({ projects: page.items.map((p) => renderProject(ctx.world, p, e)), meta: page.meta });
};

/** `GET /projects/{id}`. */
export const getProject: Handler = (ctx) =>
  ok(renderProject(ctx.world, requireProject(ctx, ctx.params.id), expansionOf(ctx.query)));

/** `GET /user`: only user tokens have a user; a project token is refused. */
export const getCurrentUser: Handler = (ctx) => {
  if (ctx.principal.kind !== "user") throw forbidden("user");
  return ok(renderUser(ctx.world, ctx.principal.user));
};
