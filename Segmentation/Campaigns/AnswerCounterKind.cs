namespace Segmentation.Campaigns;

/// <summary>What an <see cref="AnswerCounter"/> counts; its keys <c>K1</c> and <c>K2</c> mean what each kind says.</summary>
public enum AnswerCounterKind
{
    /// <summary>All answers of the campaign; keys 0, 0. Its times are the first and the last answer's.</summary>
    Total = 0,

    /// <summary>Answers of round <c>K1</c> with <c>K2</c> clicks, or skips when <c>K2</c> is -1.</summary>
    RoundClicks = 1,

    /// <summary>Answers of type <c>K1</c> (clicks, or -1 for a skip) whose seconds fall in histogram bucket <c>K2</c>.</summary>
    SecondsBucket = 2,

    /// <summary>Answers given in minute <c>K1</c> (UTC minutes since year 1).</summary>
    Minute = 3,

    /// <summary>Answers given in hour <c>K1</c>.</summary>
    Hour = 4,

    /// <summary>Answers given on day <c>K1</c>.</summary>
    Day = 5,

    /// <summary>A marker, counting nothing: the answers recorded before the campaign's counters existed have been counted.</summary>
    Backfilled = 6,
}
