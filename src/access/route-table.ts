/**
 * Every HTTP route the application serves, with its access rule (undefined when a route has none, which
 * the guard refuses): read from the controllers' own metadata, so it cannot drift from what is served.
 */
import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ACCESS_RULE, AccessRule } from './access-policy';

export interface Route {
  method: string;
  /** With its parameters: `/positions/:positionId/debt/draw`. */
  path: string;
  rule?: AccessRule;
}

export function routeTable(app: INestApplication): Route[] {
  const scanner = app.get(MetadataScanner);
  const routes: Route[] = [];
  for (const controller of app.get(DiscoveryService).getControllers()) {
    const instance = controller.instance as Record<string, unknown> | undefined;
    if (!instance || !controller.metatype) continue;
    const base = pathOf(Reflect.getMetadata(PATH_METADATA, controller.metatype));
    for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
      const handler = instance[name] as object;
      const own = Reflect.getMetadata(PATH_METADATA, handler);
      if (own === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const path = ('/' + [base, pathOf(own)].filter(Boolean).join('/')).replace(/\/+/g, '/');
      routes.push({ method, path: path.length > 1 ? path.replace(/\/$/, '') : path, rule: Reflect.getMetadata(ACCESS_RULE, handler) });
    }
  }
  return routes;
}

function pathOf(metadata: string | string[] | undefined): string {
  const path = Array.isArray(metadata) ? metadata[0] : metadata;
  return (path ?? '').replace(/^\/|\/$/g, '');
}
