// The physical floor of any Node.js function: a handler that loads nothing. Its cold start is
// Node's own start-up and one require() of a file of a few bytes.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: 'hello' });
