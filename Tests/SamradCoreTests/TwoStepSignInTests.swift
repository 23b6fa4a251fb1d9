import Foundation
import XCTest

@testable import SamradCore

final class TwoStepSignInTests: XCTestCase {
    func testStepsAcceptedAroundNowAndNeverTwice() {
        // RFC 6238's test time 59 s is in step 1.
        let now = Date(timeIntervalSince1970: 59)
        XCTAssertEqual(TwoStepSignIn.step(at: now), 1)
        XCTAssertEqual(TwoStepSignIn.acceptedSteps(at: now, after: nil), [0, 1, 2])
        XCTAssertEqual(TwoStepSignIn.acceptedSteps(at: now, after: 1), [2], "a taken step and those before it")
        XCTAssertEqual(TwoStepSignIn.acceptedSteps(at: now, after: 2), [])
        let later = Date(timeIntervalSince1970: 1_111_111_109)
        XCTAssertEqual(TwoStepSignIn.step(at: later), 37_037_036)
    }

    func testWhatIsTypedIsReadAsACodeOrARecoveryCode() {
        XCTAssertTrue(TwoStepSignIn.isTimeCode(" 123 456 "))
        XCTAssertFalse(TwoStepSignIn.isTimeCode("12345"))
        XCTAssertFalse(TwoStepSignIn.isTimeCode("abcde-fghjk"))
        XCTAssertFalse(TwoStepSignIn.isTimeCode("١٢٣٤٥٦"), "only ASCII digits")
        XCTAssertEqual(TwoStepSignIn.normalized("ABCDE FGHJK"), "abcdefghjk")
        XCTAssertEqual(TwoStepSignIn.normalized("abcde-fghjk"), "abcdefghjk")
    }
}
