import type { Request } from 'express';
import type { z } from 'zod';
import { AppError } from './errors';

function validationError(where: string, error: z.ZodError): AppError {
  return new AppError(
    400,
    'VALIDATION_FAILED',
    `The request ${where} is not valid.`,
    error.issues.map((issue) => ({
      path: issue.path.length ? issue.path.join('.') : '(root)',
      message: issue.message,
    })),
  );
}

function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

export const parseBody = <T extends z.ZodType>(schema: T, req: Request) =>
  parseWith(schema, req.body, 'body');
export const parseQuery = <T extends z.ZodType>(schema: T, req: Request) =>
  parseWith(schema, req.query, 'query');
export const parseParams = <T extends z.ZodType>(schema: T, req: Request) =>
  parseWith(schema, req.params, 'path');
