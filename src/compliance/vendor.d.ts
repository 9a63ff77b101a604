// zipcode-to-timezone ships no type declarations.
declare module 'zipcode-to-timezone' {
  const zipcodeToTimezone: { lookup(zipcode: string): string | null };
  export default zipcodeToTimezone;
}
