/**
 * A spreadsheet runs a cell that starts with one of these as a formula; a leading quote keeps it
 * text. Every CSV cell that holds text someone typed (names, emails, details) goes through here.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const csvText = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);
