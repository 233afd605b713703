// rendering.py's times: "14:05", "4 Sep, 14:05" (not "Sept": a layout shift),
// "4 Sep 2023, 14:05"; full times; "5 min ago".

export class Times {
  constructor(timeZone) {
    const zoned = (options) => new Intl.DateTimeFormat("en-GB", { timeZone, ...options });
    this.time = zoned({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    this.day = zoned({ day: "numeric", month: "short" });
    this.year = zoned({ year: "numeric" });
    this.date = zoned({ year: "numeric", month: "2-digit", day: "2-digit" });
    this.fullFormat = zoned({
      weekday: "long", day: "numeric", month: "long", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
    });
  }

  clock(date, now = new Date()) {
    const time = this.time.format(date);
    if (this.date.format(date) === this.date.format(now)) return time;
    const day = this.day.format(date).replace("Sept", "Sep");
    if (this.year.format(date) === this.year.format(now)) return `${day}, ${time}`;
    return `${day} ${this.year.format(date)}, ${time}`;
  }

  full(date) {
    return this.fullFormat.format(date);
  }
}

export function ago(date, now) {
  const minutes = Math.floor((now - date) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 24 ? `${hours} h ago` : "";
}
