import Vapor
import SamradCore

/// The time zones a form offers, named by country and city in the page's language; a zone stored
/// earlier outside the common ones stays offered, so saving again never changes it.
enum TimeZoneChoice {
    static func options(selected: String, _ request: Request) -> [Option] {
        let zones =
            MeetingZones.common.contains(selected) || selected.isEmpty
            ? MeetingZones.common
            : MeetingZones.common + [selected]
        return zones.map { zone in
            let key = "time_zone.\(zone)"
            let label = request.t(key)
            return Option(value: zone, label: label == key ? zone : label, selected: zone == selected)
        }
    }
}
