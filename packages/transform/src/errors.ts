/** Errors the transform throws. Each has a stable `code`; callers branch on it, never on the message. */

export type TransformErrorCode =
  /** The input does not parse. `file`, `line` (1-based) and `column` (0-based) say where. */
  | 'ERR_TRAPDOOR_SYNTAX'
  /** An option has a value the transform does not accept. `option` names it. */
  | 'ERR_TRAPDOOR_OPTION'
  /** The input source map is not a valid v3 map. */
  | 'ERR_TRAPDOOR_SOURCE_MAP';

export class TransformError extends Error {
  override readonly name = 'TransformError';
  readonly code: TransformErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly option?: string;

  constructor(
    code: TransformErrorCode,
    message: string,
    where: { file?: string; line?: number; column?: number; option?: string } = {},
  ) {
    super(message);
    this.code = code;
    Object.assign(this, where);
  }
}
