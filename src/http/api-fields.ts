/**
 * The API's shared field kinds, each one decorator that both validates (class-validator) and documents
 * (OpenAPI), so a DTO reads as a list of what it takes.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { IsInt, IsOptional as IsOptionalValue, IsString, Matches, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { FIELD_MODULUS } from '../domain/crypto/crypto';
import { REPORT_NUMBER_LIMIT } from '../domain/oracle/feed';

/** Client-chosen ids: stream-safe characters only. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export function IdField(description: string, example = 'a1b2c3'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, example, pattern: ID_PATTERN.source, maxLength: 64 }),
    IsString(),
    Matches(ID_PATTERN, { message: '$property must be 1-64 of A-Z a-z 0-9 _ . : - and start with a letter or digit' }),
  );
}

/** Money and prices travel as decimal strings, never JSON numbers, so no precision is lost on the way. */
export function DecimalField(description: string, example = '1250.5', options: ApiPropertyOptions = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ description, example, type: String, pattern: '^[0-9]+(\\.[0-9]+)?$', ...options } as ApiPropertyOptions),
    IsString(),
    MaxLength(80),
    Matches(/^[0-9]+(\.[0-9]+)?$/, { message: '$property must be a non-negative decimal string such as "12.5"' }),
  );
}

/**
 * The ranges integers beyond 2^53 take, checked here at the boundary so that none reaches a hash or the
 * circuit's field to wrap around there: rounds and timestamps (below 2^64), and curve coordinates and
 * signature scalars (field elements, below the BN254 scalar order r).
 */
const INTEGER_RANGES = {
  uint64: { below: () => REPORT_NUMBER_LIMIT, says: 'below 2^64' },
  field: { below: () => FIELD_MODULUS, says: 'below the BN254 scalar field order' },
} as const;

/** Integers that may exceed 2^53 travel as decimal strings too, each within its range. */
export function IntegerStringField(description: string, example: string, range: keyof typeof INTEGER_RANGES): PropertyDecorator {
  const { below, says } = INTEGER_RANGES[range];
  return applyDecorators(
    ApiProperty({ description: `${description} (an integer ${says})`, example, type: String, pattern: '^[0-9]+$', maxLength: 80 }),
    IsString(),
    MaxLength(80),
    Matches(/^[0-9]+$/, { message: '$property must be a non-negative integer string' }),
    ValidateBy({
      name: `integer-${range}`,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^[0-9]{1,80}$/.test(value) && BigInt(value) < below(),
        defaultMessage: () => `$property must be an integer ${says}`,
      },
    }),
  );
}

/** Small counts and ratios in basis points are plain JSON integers. */
export function SmallIntField(description: string, min: number, max: number, example: number): PropertyDecorator {
  return applyDecorators(ApiProperty({ description, example, minimum: min, maximum: max }), IsInt(), Min(min), Max(max));
}

/**
 * A field a request may leave out: validation skips it when absent, and the OpenAPI document marks it
 * optional (class-validator's own IsOptional leaves the document saying the field is required). Put
 * above the field's kind.
 */
export function IsOptional(): PropertyDecorator {
  return applyDecorators(IsOptionalValue(), ApiProperty({ required: false }));
}

export class CommandBody {
  @IdField('Client-chosen command id: the same request sent again with it is answered as the first time and appends nothing; another request with it is refused 422 COMMAND_ID_REUSED.', 'cmd-7f3a')
  commandId!: string;
}

/** The body of a command that needs nothing but its id (pause, revoke, close, ...), whichever module takes it. */
export class CommandOnlyBody extends CommandBody {}
