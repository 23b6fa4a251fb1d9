import Foundation

/// The short standard evaluation every meeting sends to those who checked in when it ends: four
/// statements on a scale and one open question, in the three languages, so that meetings can be
/// compared with each other and over time. Anonymous; open for two weeks.
public enum MeetingEvaluation {
    /// Days it stays open after the meeting ends, and the reminder before it closes.
    public static let openDays = 14
    public static let reminderDays = [7]

    static func text(_ en: String, _ da: String, _ sv: String) -> LocalizedText {
        LocalizedText(da: da, sv: sv, en: en)
    }

    static let agreement = AnswerScale(
        min: 1, max: 5, low: text("Disagree completely", "Helt uenig", "Instämmer inte alls"),
        high: text("Agree completely", "Helt enig", "Instämmer helt"))

    public static let form = QuestionnaireForm(sections: [
        QuestionnaireSection(
            key: "evaluation", title: text("The meeting", "Mødet", "Mötet"),
            questions: [
                Question(
                    key: "useful", kind: .likert,
                    text: text(
                        "The meeting was useful for my work", "Mødet var nyttigt for mit arbejde",
                        "Mötet var till nytta för mitt arbete"),
                    required: true, scale: agreement),
                Question(
                    key: "relevant", kind: .likert,
                    text: text(
                        "The content was relevant to the challenges we have",
                        "Indholdet var relevant for de udfordringer, vi har",
                        "Innehållet var relevant för de utmaningar vi har"),
                    scale: agreement),
                Question(
                    key: "format", kind: .likert,
                    text: text(
                        "The way we worked (talks, group work, discussion) suited the content",
                        "Arbejdsformen (oplæg, gruppearbejde, drøftelse) passede til indholdet",
                        "Arbetsformen (föredrag, grupparbete, diskussion) passade innehållet"),
                    scale: agreement),
                Question(
                    key: "use", kind: .likert,
                    text: text(
                        "I will use something from the meeting in my own work",
                        "Jeg vil bruge noget fra mødet i mit eget arbejde",
                        "Jag kommer att använda något från mötet i mitt eget arbete"),
                    scale: agreement),
                Question(
                    key: "better", kind: .longText,
                    text: text(
                        "What should be different next time?", "Hvad skal være anderledes næste gang?",
                        "Vad ska vara annorlunda nästa gång?")),
            ])
    ])

    /// "Evaluation: Network meeting in Upplands Väsby".
    public static func title(_ meeting: String, _ language: Language) -> String {
        switch language {
        case .da: "Evaluering: \(meeting)"
        case .sv: "Utvärdering: \(meeting)"
        case .en: "Evaluation: \(meeting)"
        }
    }
}
