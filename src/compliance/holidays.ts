// Public holidays from date-holidays (data CC-BY 3.0), one instance per calendar and one date set
// per calendar and year. Never a hand-typed list.
import Holidays from 'date-holidays';

const calendars = new Map<string, Holidays>();
const dateSets = new Map<string, ReadonlySet<string>>();

/**
 * Whether `isoDate` (YYYY-MM-DD, local) is a public holiday in `calendar` ('US-AL', 'FR').
 * Substitute days count ("a holiday falling on Sunday is observed on Monday", Ala. Admin. Code).
 */
export function isPublicHoliday(calendar: string, isoDate: string): boolean {
  const year = Number(isoDate.slice(0, 4));
  return holidayDates(calendar, year).has(isoDate);
}

function holidayDates(calendar: string, year: number): ReadonlySet<string> {
  const key = `${calendar}|${year}`;
  let dates = dateSets.get(key);
  if (!dates) {
    const found = calendarFor(calendar)
      .getHolidays(year)
      .filter((holiday) => holiday.type === 'public')
      .map((holiday) => holiday.date.slice(0, 10));
    dates = new Set(found);
    dateSets.set(key, dates);
  }
  return dates;
}

function calendarFor(calendar: string): Holidays {
  let holidays = calendars.get(calendar);
  if (!holidays) {
    const [country, state] = calendar.split('-') as [string, string | undefined];
    holidays = state ? new Holidays(country, state) : new Holidays(country);
    calendars.set(calendar, holidays);
  }
  return holidays;
}
