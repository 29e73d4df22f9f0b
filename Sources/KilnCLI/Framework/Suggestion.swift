import KilnJSON

/// ` (did you mean 'NAME'?)` when a candidate is close to `word` by edit distance, else "".
func closestMatchSuggestion(_ word: String, _ candidates: [String]) -> String {
    closestMatch(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
