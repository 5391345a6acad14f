import { describe, expect, it } from 'vitest';
import { toCsv, usageCsv } from './csv';

describe('toCsv', () => {
  it('quotes fields with commas, quotes or line breaks and ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['line\nbreak', null]])).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n',
    );
  });

  it('defuses text that a spreadsheet would run as a formula', () => {
    expect(toCsv(['name'], [['=HYPERLINK("x")'], ['@sum'], ['plain']])).toBe(
      'name\r\n"\'=HYPERLINK(""x"")"\r\n\'@sum\r\nplain\r\n',
    );
  });

  it('leaves negative numbers alone', () => {
    expect(toCsv(['n'], [[-5]])).toBe('n\r\n-5\r\n');
  });
});

describe('usageCsv', () => {
  it('writes the grouping columns present in the rows and exact USD costs', () => {
    const csv = usageCsv([
      { day: '2026-03-01', model: 'openai/gpt-4o-mini', requests: 3, promptTokens: 120, completionTokens: 40, costMicros: 42 },
      { day: '2026-03-02', model: 'openai/gpt-4.1', requests: 1, promptTokens: 10, completionTokens: 5, costMicros: 1_500_000 },
    ]);
    expect(csv).toBe(
      'day,model,requests,prompt_tokens,completion_tokens,cost_usd\r\n' +
        '2026-03-01,openai/gpt-4o-mini,3,120,40,0.000042\r\n' +
        '2026-03-02,openai/gpt-4.1,1,10,5,1.5\r\n',
    );
  });

  it('names keys by id and name when grouped by key', () => {
    const csv = usageCsv([{ day: '2026-03-01', keyId: 'k1', keyName: 'ci, nightly', requests: 1, promptTokens: 1, completionTokens: 1, costMicros: 1 }]);
    expect(csv.split('\r\n')[0]).toBe('day,key_id,key_name,requests,prompt_tokens,completion_tokens,cost_usd');
    expect(csv.split('\r\n')[1]).toBe('2026-03-01,k1,"ci, nightly",1,1,1,0.000001');
  });
});
