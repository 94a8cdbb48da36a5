import { describe, expect, it } from 'vitest'
import {
  confluenceAgreement,
  confluenceScore,
  voteAbove,
  voteDirectional,
  voteRsiReversion,
  voteSign,
} from './confluence.js'

describe('confluence', () => {
  it('is the weighted mean of the available votes', () => {
    const votes = [1, -1, Number.NaN, 0.5]
    const weights = [2, 1, 5, 2]
    expect(confluenceScore(votes, weights)).toBeCloseTo((2 - 1 + 1) / 5, 12)
    expect(confluenceAgreement(votes, weights)).toBeCloseTo(4 / 5, 12)
  })
  it('ignores zero weights, clamps votes, NaN without any vote', () => {
    expect(confluenceScore([3, -1], [1, 0])).toBe(1)
    expect(confluenceScore([Number.NaN], [1])).toBeNaN()
    expect(confluenceScore(new Float64Array(0), new Float64Array(0))).toBeNaN()
  })
  it('unanimity gives ±1 and agreement 1', () => {
    expect(confluenceScore([-1, -1, -1], [1, 2, 3])).toBe(-1)
    expect(confluenceAgreement([-1, -0.5, -1], [1, 2, 3])).toBe(1)
  })
  it('votes', () => {
    expect([voteAbove(101, 100), voteAbove(99, 100), voteAbove(1, Number.NaN)]).toEqual([1, -1, NaN])
    expect([voteSign(-0.2), voteSign(0), voteSign(3)]).toEqual([-1, 0, 1])
    expect([voteRsiReversion(25), voteRsiReversion(75), voteRsiReversion(50), voteRsiReversion(40)]).toEqual([
      1, -1, 0, 0.5,
    ])
    expect(voteDirectional(50, 30, 10)).toBe(1)
    expect(voteDirectional(12.5, 10, 30)).toBe(-0.5)
  })
})
