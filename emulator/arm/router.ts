/**
 * Routes an authenticated ARM request to its handler, with ARM's own checks in ARM's order:
 * api-version present, subscription, provider registration, api-version supported, resource
 * group, cluster. Fixed path segments (subscriptions, resourceGroups, providers, namespaces,
 * resource types) match in any letter case.
 */
import { kindOf, CLUSTER_TYPES } from '../clusters.js';
import { API_VERSIONS, KC_NAMESPACE } from '../constants.js';
import type { World } from '../world.js';
import type { ArmContext, ArmResult, ClusterContext } from './context.js';
import { ArmError, notFound } from './errors.js';
import { deleteExtension, getExtension, listExtensions, patchExtension, putExtension } from './extensions.js';
import { deleteFlux, getFlux, listFlux, patchFlux, putFlux } from './flux.js';
import { TERMINAL } from './lro.js';
import { canonicalProvider, clusterView, providerView, registerProvider, resourceGroupView, subscriptionView } from './resources.js';

const methodNotAllowed = (method: string): ArmError =>
  new ArmError(405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`);

function allow(method: string, ...allowed: string[]): void {
  if (!allowed.includes(method)) throw methodNotAllowed(method);
}

const COLLECTIONS: Record<string, keyof typeof API_VERSIONS> = {
  extensions: 'extensions',
  fluxconfigurations: 'fluxConfigurations',
  sourcecontrolconfigurations: 'sourceControlConfigurations',
  operations: 'operations',
};

function checkApiVersion(collection: keyof typeof API_VERSIONS, apiVersion: string): void {
  const supported: readonly string[] = API_VERSIONS[collection];
  if (supported.includes(apiVersion)) return;
  throw new ArmError(
    400,
    'InvalidApiVersionParameter',
    `The api-version '${apiVersion}' is invalid for resource type '${KC_NAMESPACE}/${collection}'. The supported versions are '${supported.join(',')}'.`,
  );
}

function unknownRoute(path: string): ArmError {
  return new ArmError(404, 'InvalidResourceType', `No resource type is served at '${path}'.`);
}

export function routeArm(world: World, method: string, url: URL, bodyText: string): ArmResult {
  const path = url.pathname;
  let seg: string[];
  try {
    seg = path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw new ArmError(400, 'InvalidRequestUri', `The request path '${path}' is not valid.`);
  }
  const lower = seg.map((s) => s.toLowerCase());
  if (lower[0] !== 'subscriptions' || seg.length < 2) throw unknownRoute(path);

  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion) {
    throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const subscription = world.findSubscription(seg[1]!);
  if (!subscription) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${seg[1]}' could not be found.`);
  const ctx: ArmContext = { world, method, path, query: url.searchParams, apiVersion, bodyText };

  if (seg.length === 2) {
    allow(method, 'GET');
    return { status: 200, body: subscriptionView(world, subscription) };
  }

  if (lower[2] === 'providers') {
    const namespace = seg[3] === undefined ? undefined : canonicalProvider(seg[3]);
    if (!namespace) throw new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${seg[3] ?? ''}' is invalid.`);
    if (seg.length === 4) {
      allow(method, 'GET');
      return { status: 200, body: providerView(world, namespace) };
    }
    if (seg.length === 5 && (lower[4] === 'register' || lower[4] === 'unregister')) {
      allow(method, 'POST');
      return registerProvider(world, namespace, lower[4]);
    }
    throw unknownRoute(path);
  }

  if (lower[2] !== 'resourcegroups' || seg.length < 4) throw unknownRoute(path);

  // Under a resource group: the group itself, a cluster, or the provider's resources below a cluster.
  const isKc = seg.length > 8;
  let collection: keyof typeof API_VERSIONS | undefined;
  if (isKc) {
    if (lower[4] !== 'providers' || lower[8] !== 'providers' || lower[9] !== KC_NAMESPACE.toLowerCase() || seg.length < 11) throw unknownRoute(path);
    collection = COLLECTIONS[lower[10]!];
    if (!collection) throw unknownRoute(path);
    if (world.providerState !== 'Registered') {
      throw new ArmError(
        409,
        'MissingSubscriptionRegistration',
        `The subscription '${subscription}' is not registered to use namespace '${KC_NAMESPACE}'. Register the resource provider first (https://aka.ms/rps-not-found).`,
      );
    }
    checkApiVersion(collection, apiVersion);
  }

  const resourceGroup = world.findResourceGroup(seg[3]!, subscription);
  if (!resourceGroup) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${seg[3]}' could not be found.`);
  if (seg.length === 4) {
    allow(method, 'GET');
    return { status: 200, body: resourceGroupView(world, resourceGroup, subscription) };
  }
  if (lower[4] !== 'providers' || seg.length < 8) throw unknownRoute(path);

  const kind = kindOf(seg[5]!, seg[6]!);
  if (!kind) {
    throw new ArmError(400, 'InvalidResourceType', `The resource type '${seg[6]}' could not be found in the namespace '${seg[5]}'.`);
  }
  const { rp, type } = CLUSTER_TYPES[kind];
  const cluster = world.clusterByKey(`/subscriptions/${subscription}/resourcegroups/${resourceGroup}/providers/${rp}/${type}/${seg[7]}`.toLowerCase());
  if (!cluster) throw notFound(`The Resource '${rp}/${type}/${seg[7]}' under resource group '${resourceGroup}' was not found.`);
  if (isKc && kind === 'fleet' && collection !== 'extensions' && collection !== 'operations') {
    throw new ArmError(400, 'InvalidResourceType', `The resource type '${KC_NAMESPACE}/${collection}' is not supported on '${rp}/${type}': a Fleet Manager hub takes extensions only.`);
  }

  if (!isKc) {
    if (seg.length !== 8) throw unknownRoute(path);
    allow(method, 'GET');
    return { status: 200, body: clusterView(cluster) };
  }

  const cctx: ClusterContext = { ...ctx, cluster };
  const name = seg[11];
  switch (collection) {
    case 'extensions':
    case 'fluxConfigurations': {
      const flux = collection === 'fluxConfigurations';
      if (seg.length === 11) {
        allow(method, 'GET');
        return flux ? listFlux(cctx) : listExtensions(cctx);
      }
      if (seg.length === 12) {
        switch (method) {
          case 'GET':
            return flux ? getFlux(cctx, name!) : getExtension(cctx, name!);
          case 'PUT':
            return flux ? putFlux(cctx, name!) : putExtension(cctx, name!);
          case 'PATCH':
            return flux ? patchFlux(cctx, name!) : patchExtension(cctx, name!);
          case 'DELETE':
            return flux ? deleteFlux(cctx, name!) : deleteExtension(cctx, name!);
          default:
            throw methodNotAllowed(method);
        }
      }
      if (seg.length === 14 && lower[12] === 'operations') {
        allow(method, 'GET');
        const op = world.operations.get(seg[13]!);
        if (!op || op.clusterKey !== cluster.key || op.collection !== collection || op.resourceName.toLowerCase() !== name!.toLowerCase()) {
          throw notFound(`The operation '${seg[13]}' was not found for '${KC_NAMESPACE}/${collection}/${name}'.`);
        }
        const view = world.operations.view(op);
        // Like ARM, a status that is not final says when to look again.
        const running = !['Succeeded', 'Failed', 'Canceled'].includes(String(view.status));
        return { status: 200, body: view, ...(running ? { headers: { 'Retry-After': String(world.options.retryAfterSeconds) } } : {}) };
      }
      throw unknownRoute(path);
    }
    case 'operations': {
      if (seg.length !== 11) throw unknownRoute(path);
      allow(method, 'GET');
      const ops = world.operations.all().filter((o) => o.clusterKey === cluster.key && !TERMINAL.has(o.status));
      return { status: 200, body: { value: ops.map((o) => world.operations.view(o)) } };
    }
    case 'sourceControlConfigurations': {
      if (seg.length === 11) {
        allow(method, 'GET');
        return { status: 200, body: { value: [] } };
      }
      if (seg.length === 12 && method === 'GET') {
        throw notFound(`The Resource '${KC_NAMESPACE}/sourceControlConfigurations/${name}' under resource group '${resourceGroup}' was not found.`);
      }
      throw methodNotAllowed(method);
    }
    default:
      throw unknownRoute(path);
  }
}
