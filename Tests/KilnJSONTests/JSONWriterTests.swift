import Testing
@testable import KilnJSON

@Suite struct JSONWriterTests {
    @Test func writesDeterministicPrettyJSON() {
        let value = JSONValue.object(JSONObject([
            ("name", .string("m7")), ("sizes", .array([.integer(1), .integer(2)])), ("empty", .array([])),
            ("nested", .array([.object(JSONObject([("z", .number(0.1)), ("a", .null)]))])), ("o", .object(JSONObject())),
        ]))
        #expect(JSONWriter().write(value) == """
        {
          "name": "m7",
          "sizes": [1, 2],
          "empty": [],
          "nested": [
            {
              "z": 0.1,
              "a": null
            }
          ],
          "o": {}
        }

        """)
    }

    @Test func integersHaveNoFractionAndDoublesRoundTrip() throws {
        let doubles: [Double] = [0.1, 1.0 / 3.0, 5e-324, 1.7976931348623157e308, 480, -2.5e-7, 123456789.125]
        for number in doubles {
            let text = JSONWriter().write(.number(number))
            #expect(try JSONParser().parse(text) == .number(number) || (try JSONParser().parse(text)).doubleValue == number)
        }
        #expect(JSONWriter().write(.integer(480)) == "480\n")
        #expect(JSONWriter().write(.number(.nan)) == "null\n")
    }

    @Test func roundTripsThroughTheParser() throws {
        let text = #"{"a": [1, -2.5, "x\ny\u0001", true, null, {"b": []}], "c": {"d": 9223372036854775807}}"#
        let value = try JSONParser().parse(text)
        #expect(try JSONParser().parse(JSONWriter().write(value)) == value)
    }
}
