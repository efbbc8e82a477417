import { expect } from 'vitest'

/** What every lab service answers on an error (ErrorBody in @lab/platform), as a matcher. */
export function errorBody (statusCode: number, code: string) {
  return { statusCode, code, error: expect.any(String), message: expect.any(String), requestId: expect.any(String) }
}

export function expectErrorBody (body: unknown, statusCode: number, code: string): void {
  expect(body).toEqual(errorBody(statusCode, code))
}
