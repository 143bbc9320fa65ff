/**
 * Reversed-label host keys ('www.example.com' → 'com.example.www'). Indexed instead of the host so
 * "a domain and its subdomains" is one exact match plus one prefix range — and never a substring
 * match: 'ample.com' ('com.ample') can never select 'example.com' ('com.example').
 */
export function reverseHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '').split('.').reverse().join('.');
}

export function hostFromReversed(hostRev: string): string {
  return hostRev.split('.').reverse().join('.');
}
