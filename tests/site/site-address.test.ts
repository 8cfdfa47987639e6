// Where `npm run site` publishes: the base path and public URL it accepts, and what it refuses.
import { describe, expect, it } from 'vitest';
import { parseSiteAddress } from '../../tools/site-address';

describe('the site address', () => {
  it('is the root of a domain by default; a base or a URL with a path puts it under a sub-path', () => {
    expect(parseSiteAddress({})).toEqual({ base: '/', url: undefined });
    expect(parseSiteAddress({ base: 'deep-learning-ts' })).toEqual({ base: '/deep-learning-ts/', url: undefined });
    expect(parseSiteAddress({ url: 'https://user.github.io/deep-learning-ts' })).toEqual({ base: '/deep-learning-ts/', url: 'https://user.github.io/deep-learning-ts/' });
    expect(parseSiteAddress({ base: '/deep-learning-ts/', url: 'https://user.github.io/' })).toEqual({ base: '/deep-learning-ts/', url: 'https://user.github.io/deep-learning-ts/' });
  });

  it('refuses what is not a path or a web address, naming the setting to fix', () => {
    expect(() => parseSiteAddress({ base: '/../etc/' })).toThrow(/not a path.*COURSE_SITE_BASE or --base/);
    expect(() => parseSiteAddress({ base: '/a b/' })).toThrow(/not a path/);
    expect(() => parseSiteAddress({ url: 'user.github.io' })).toThrow(/not a URL.*COURSE_SITE_URL or --site-url/);
    expect(() => parseSiteAddress({ url: 'file:///tmp/site' })).toThrow(/must start with https:\/\//);
    expect(() => parseSiteAddress({ url: 'https://user.github.io/a/', base: '/b/' })).toThrow(/ends in \/a\/ but the base is \/b\//);
  });
});
