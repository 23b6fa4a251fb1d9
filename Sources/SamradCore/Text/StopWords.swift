import Foundation

/// Words too common to search for. PostgreSQL's `danish` and `swedish` configurations leave the
/// Snowball stop words out of both texts and queries; SQLite's index must leave out the same words,
/// or a query such as "skolen og eleverne" would find different texts on the two databases.
/// English is indexed without stemming or stop words (PostgreSQL's `simple`).
public enum StopWords {
    public static func contains(_ word: String, _ language: Language) -> Bool {
        switch language {
        case .da: danish.contains(word)
        case .sv: swedish.contains(word)
        case .en: false
        }
    }

    public static func words(_ language: Language) -> Set<String> {
        switch language {
        case .da: danish
        case .sv: swedish
        case .en: []
        }
    }

    static let danish: Set<String> = Set(
        """
        og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min havde ham hun
            nu
        over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev kunne ind når være dog
            noget
        ville jo deres efter ned skulle denne end dette mit også under have dig anden hende mine alt meget sit sine vor
            mod
        disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan
        """.split(whereSeparator: \.isWhitespace).map(String.init))

    static let swedish: Set<String> = Set(
        """
        och det att i en jag hon som han på den med var sig för så till är men ett om hade de av icke mig du henne då
            sin
        nu har inte hans honom skulle hennes där min man ej vid kunde något från ut när efter upp vi dem vara vad över
            än
        dig kan sina här ha mot alla under någon eller allt mycket sedan ju denna själv detta åt utan varit hur ingen
            mitt
        ni bli blev oss din dessa några deras blir mina samma vilken er sådan vår blivit dess inom mellan sådant varför
        varje vilka ditt vem vilket sitta sådana vart dina vars vårt våra ert era vilkas
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
