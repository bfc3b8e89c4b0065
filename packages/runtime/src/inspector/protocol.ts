/**
 * CDP message types for the main-thread protocol agent, all taken from the `devtools-protocol`
 * package (never written by hand): a command handler gets the method's request type and returns
 * its response type (session.ts: `Handler`); events are typed by name.
 */
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';

export type { Protocol } from 'devtools-protocol';

export type Commands = ProtocolMapping.Commands;
export type Events = ProtocolMapping.Events;
export type CommandName = keyof Commands;
export type EventName = keyof Events;

/** A command's parameters (dispatch passes `{}` when a client sent none). */
export type Params<M extends CommandName> = Commands[M]['paramsType'] extends [] ? Record<string, unknown> : NonNullable<Commands[M]['paramsType'][0]>;
export type Result<M extends CommandName> = Commands[M]['returnType'] extends void ? Record<string, never> : Commands[M]['returnType'];
export type EventParams<E extends EventName> = Events[E] extends [infer P] ? P : undefined;

/** JSON-RPC error codes V8's inspector uses. */
export const ErrorCode = {
  PARSE: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  SERVER: -32000,
} as const;

/** A command failed: becomes `{id, error: {code, message}}`. */
export class ProtocolError extends Error {
  readonly code: number;
  constructor(message: string, code: number = ErrorCode.SERVER) {
    super(message);
    this.code = code;
  }
}

/** The one execution context of a target (V8's default context of the main thread). */
export const CONTEXT_ID = 1;
