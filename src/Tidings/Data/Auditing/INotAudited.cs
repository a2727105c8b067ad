namespace Tidings.Data.Auditing;

/// <summary>
/// A row that is itself a record of delivery (an outbox message, a delivery attempt): the change that caused it is
/// audited, and an audit row for each of them would double the writes of every delivery for nothing new.
/// </summary>
public interface INotAudited;
