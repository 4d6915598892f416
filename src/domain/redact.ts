/**
 * What a question or an answer may show to people other than the asker and the officers who
 * handle it (the public page /hoi-dap, the answered look-alikes offered to other citizens,
 * views for other agencies): phone numbers, e-mail addresses and ID card numbers masked,
 * invisible direction and zero-width controls removed. Pure; linear in the text's length
 * (every pattern below has a bounded match, and e-mail addresses are found from their '@').
 * Officers see the original.
 */

export const MASKS = {
  phone: '[số điện thoại đã ẩn]',
  email: '[email đã ẩn]',
  idNumber: '[số giấy tờ đã ẩn]',
} as const;

/**
 * Bidirectional embedding, override and isolate controls (they make "gpj.exe" read "exe.jpg"),
 * directional marks, zero-width spaces and joiners used to split a number or an address
 * past a mask, the word joiner and the byte order mark.
 */
const INVISIBLE_CONTROLS = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Vietnamese phone numbers: 0 or +84 then 8 to 10 digits; 84 then a mobile prefix digit (3, 5, 7, 8,
 * 9: "84.000.000.000 đồng" stays) and 8 more; an area code in brackets, "(0214) 3.840.123". Up to two
 * spaces, dots or dashes between digits. Not inside a longer number, and not ending inside a group of
 * digits ("001 095 012 345" is an ID number, not a phone followed by 345).
 */
const PHONE =
  /(?<!\d[ .,-]?)(?:(?:\+\s?84|0)[ .-]{0,2}\d(?:[ .-]{0,2}\d){7,9}|84[ .-]{0,2}[35789](?:[ .-]{0,2}\d){8}|\(0\d{1,3}\)[ .-]{0,2}\d(?:[ .-]{0,2}\d){5,8})(?![ .-]{0,2}\d)/g;

/**
 * ID card numbers: CCCD 12 digits, CMND 9, written together or in groups of three or four
 * ("0010 9501 2345", "001 095 012 345", "123 456 789").
 */
const ID_NUMBER = /(?<!\d[ .,-]?)(?:\d{12}|\d{4}[ .]\d{4}[ .]\d{4}|\d{3}[ .]\d{3}[ .]\d{3}[ .]\d{3}|\d{9}|\d{3}[ .]\d{3}[ .]\d{3})(?![ .]?\d)/g;

/** Full-width forms people paste from phones' keyboards ("＠", "０９１２"), read as their ASCII letters. */
const FULL_WIDTH = /[\uff10-\uff19\uff20]/g;

const LOCAL_PART = /[\p{L}\p{N}._%+'-]/u;
const DOMAIN_PART = /[\p{L}\p{N}.-]/u;

/**
 * E-mail addresses, found from each '@' (one pass: a local part never extends past the
 * previous '@', a domain never past the next one, so nothing is scanned twice).
 */
function maskEmails(text: string): string {
  let out = '';
  let copied = 0;
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > copied && LOCAL_PART.test(text[start - 1])) start -= 1;
    let end = at + 1;
    while (end < text.length && text[end] !== '@' && DOMAIN_PART.test(text[end])) end += 1;
    // A trailing dot ends the sentence, not the address.
    while (end > at + 1 && text[end - 1] === '.') end -= 1;
    const domain = text.slice(at + 1, end);
    const labels = domain.split('.');
    const isAddress = start < at && labels.length >= 2 && labels.every((l) => l.length > 0) && (labels[labels.length - 1] as string).length >= 2;
    if (isAddress) {
      out += text.slice(copied, start) + MASKS.email;
      copied = end;
    }
    at = text.indexOf('@', Math.max(at + 1, copied));
  }
  return out + text.slice(copied);
}

/** The text as it may be published: contacts and ID numbers masked, invisible controls removed. */
export function redactForPublic(text: string): string {
  const visible = text.replace(INVISIBLE_CONTROLS, '').replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  // ID numbers first: a grouped CCCD starting with 0 would otherwise be read as a phone number.
  return maskEmails(visible).replace(ID_NUMBER, MASKS.idNumber).replace(PHONE, MASKS.phone);
}

