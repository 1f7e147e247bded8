/**
 * Policy as code over synthesized Terraform JSON. Import from here to write rules and packs,
 * evaluate stacks, or render reports; the CLI (`cli.ts`) wires the same pieces.
 */
export * from './engine/types';
export { Node, Resource, known, ABSENT, unknownVal, isExpression } from './engine/resource';
export type { Val, Reference, RuleContext } from './engine/resource';
export * from './engine/check';
export { definePack, PackDefinitionError } from './engine/pack';
export { loadStacks, PolicyLoadError } from './engine/load';
export type { StackDocument } from './engine/load';
export { evaluateStack, evaluateStacks, RuleSet, PackError } from './engine/evaluate';
export type { EvaluateOptions } from './engine/evaluate';
export { ATTRIBUTE_ALIASES } from './engine/aliases';
export type { AttributeAlias } from './engine/aliases';
export { FRAMEWORKS } from './frameworks';
export type { Framework, Control } from './frameworks';
export * from './waiver';
export { azureIotPlatformPack } from './packs/azure-iot-platform';
