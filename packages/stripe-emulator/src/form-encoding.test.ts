import { describe, expect, it } from 'vitest';
import { FormEncodingError, formList, parseFormEncoded } from './form-encoding';

describe('parseFormEncoded', () => {
  it('nests bracketed keys the way the Stripe SDK encodes them', () => {
    const params = parseFormEncoded(
      'mode=payment&line_items[0][price_data][unit_amount]=500&line_items[0][quantity]=2' +
        '&metadata[orgId]=acme&expand[]=line_items&payment_method_types[0]=card',
    );
    expect(JSON.parse(JSON.stringify(params))).toEqual({
      mode: 'payment',
      line_items: { '0': { price_data: { unit_amount: '500' }, quantity: '2' } },
      metadata: { orgId: 'acme' },
      expand: ['line_items'],
      payment_method_types: { '0': 'card' },
    });
  });

  it('decodes percent-encoded brackets, values and plus signs', () => {
    const params = parseFormEncoded(
      'metadata%5Bnote%5D=caf%C3%A9+au+lait&success_url=http%3A%2F%2Fx%2F%3Fid%3D%7BCHECKOUT_SESSION_ID%7D',
    );
    expect(params.metadata).toEqual({ note: 'café au lait' });
    expect(params.success_url).toBe('http://x/?id={CHECKOUT_SESSION_ID}');
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const params = parseFormEncoded('metadata[__proto__]=x&constructor=y');
    expect(Object.keys(params.metadata as object)).toEqual(['__proto__']);
    expect(params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a key used both as a value and as a hash', () => {
    expect(() => parseFormEncoded('metadata=x&metadata[a]=b')).toThrow(FormEncodingError);
    expect(() => parseFormEncoded('metadata[a]=b&metadata=x')).toThrow(FormEncodingError);
  });
});

describe('formList', () => {
  it('reads indexed hashes as lists in index order', () => {
    expect(formList({ '1': 'b', '0': 'a', '10': 'c' })).toEqual(['a', 'b', 'c']);
  });

  it('is null for hashes with named keys', () => {
    expect(formList({ orgId: 'acme' })).toBeNull();
  });
});
