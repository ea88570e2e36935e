// THE table of event types the "Record a decision" page offers: one entry per type, listing the
// fields its form asks for and the rules need (docs/rules.md). Adding an event type to the
// service means adding its entry here, in the same change; nothing else in the page changes.
//
// A field: {name: 'path.in.payload', label, hint?, kind?, required?, options?}
//   kind: 'text' (default), 'textarea', 'date' (YYYY-MM-DD), 'money' (pounds, sent as pence),
//         'int', 'months' (a comma-separated list of option lengths), 'list' (comma-separated
//         strings), 'select' (options: [[value, label], …]), 'checkbox', 'event' (an event id of
//         this contract, chosen from its timeline)
// Every form also asks for the common fields below (effective date, decision reference, maker,
// decision date, note), which belong to the event body itself rather than its payload.

export const COMMON_FIELDS = [
  {name: 'effective_date', label: 'Effective date', kind: 'date', required: true,
    hint: 'The date the decision takes effect, for example 2016-03-01'},
  {name: 'decision.reference', label: 'Decision reference', hint: 'For example LCC-EXT-1. Needed for key decisions.'},
  {name: 'decision.maker', label: 'Decision maker', hint: 'For example Director of Environment & Housing'},
  {name: 'decision.date', label: 'Decision date', kind: 'date', hint: 'For example 2016-02-15'},
  {name: 'note', label: 'Note', kind: 'textarea'},
];

const PROCEDURES = ['open', 'restricted', 'competitive_flexible', 'negotiated', 'direct_award',
  'framework_call_off', 'interim', 'grant', 'other'].map((p) => [p, p.replace(/_/g, ' ')]);

export const EVENT_TYPES = [
  {type: 'award', label: 'Award', hint: 'The contract is awarded: its parties, term, options and value.', fields: [
    {name: 'authority', label: 'Contracting authority', required: true},
    {name: 'title', label: 'Title', required: true},
    {name: 'description', label: 'Description', kind: 'textarea'},
    {name: 'supplier.name', label: 'Supplier', required: true},
    {name: 'supplier.id', label: 'Supplier identifier', hint: 'Companies House or charity number'},
    {name: 'procedure', label: 'Procedure', kind: 'select', options: [['', 'Not stated'], ...PROCEDURES]},
    {name: 'start_date', label: 'Start date', kind: 'date', required: true},
    {name: 'end_date', label: 'End date', kind: 'date', required: true},
    {name: 'value_pence', label: 'Value over the initial term', kind: 'money'},
    {name: 'annual_value_pence', label: 'Annual value', kind: 'money'},
    {name: 'extension_options', label: 'Extension options', kind: 'months',
      hint: 'The length of each option in months, in order, for example 6, 6'},
    {name: 'max_end_date', label: 'Latest end date with every option', kind: 'date'},
    {name: 'notice_period_days', label: 'Notice period (days)', kind: 'int', hint: 'Default 90'},
  ]},
  {type: 'waiver', label: 'Waiver of contract procedure rules', fields: [
    {name: 'authority', label: 'Authority', hint: 'Needed when the waiver is the contract\'s first event'},
    {name: 'rules', label: 'Rules waived', kind: 'list', required: true, hint: 'Comma-separated, for example CPR 8.1, CPR 9.2'},
    {name: 'justification', label: 'Justification', kind: 'textarea', required: true},
    {name: 'approved_by', label: 'Approved by'},
  ]},
  {type: 'extension', label: 'Extension or option exercise', hint: 'Uses the contract\'s next extension option.', fields: [
    {name: 'new_end_date', label: 'New end date', kind: 'date', required: true, hint: 'For example 2016-09-30'},
    {name: 'value_pence_added', label: 'Value added', kind: 'money', hint: 'In pounds, for example 364,339.00'},
  ]},
  {type: 'variation', label: 'Variation', fields: [
    {name: 'description', label: 'What changes', kind: 'textarea', required: true},
    {name: 'value_delta_pence', label: 'Change in value', kind: 'money', hint: 'In pounds; negative for a reduction'},
    {name: 'new_end_date', label: 'New end date', kind: 'date'},
    {name: 'legal_basis', label: 'Legal basis', hint: 'For example PCR 2015 reg 72(1)(b)'},
  ]},
  {type: 'novation', label: 'Novation', fields: [
    {name: 'supplier.name', label: 'New supplier', required: true},
    {name: 'supplier.id', label: 'New supplier identifier'},
    {name: 'reason', label: 'Reason', kind: 'textarea'},
  ]},
  {type: 'termination', label: 'Termination', fields: [
    {name: 'termination_date', label: 'Termination date', kind: 'date', required: true},
    {name: 'reason', label: 'Reason', kind: 'select', required: true, options: [['', 'Choose a reason'],
      ['convenience', 'Convenience'], ['breach', 'Breach'], ['mutual', 'Mutual agreement'],
      ['superseded', 'Superseded'], ['other', 'Other']]},
    {name: 'rule', label: 'Rule relied on', hint: 'For example CPR 22.1'},
  ]},
  {type: 'funding', label: 'Funding commitment', fields: [
    {name: 'funder', label: 'Funder', required: true},
    {name: 'financial_year', label: 'Financial year', required: true, hint: 'For example 2016/17'},
    {name: 'amount_pence', label: 'Amount', kind: 'money', required: true},
    {name: 'conditional_on_extension', label: 'Committed only if the contract is extended', kind: 'checkbox'},
    {name: 'conditional_on_option', label: 'Committed only if this option is exercised', kind: 'int', hint: 'The option number: 1 for the first; leave blank when unconditional'},
  ]},
  {type: 'correction', label: 'Correction', hint: 'Retracts an earlier event of this contract; it stays in the log, struck through.', fields: [
    {name: 'corrects_event_id', label: 'Event to retract', kind: 'event', required: true},
    {name: 'reason', label: 'Reason', kind: 'textarea', required: true},
  ]},
  {type: 'option_declined', label: 'Option declined', hint: 'The authority decides not to use an extension option; later options lapse with it.', fields: [
    {name: 'option', label: 'Option number', kind: 'int', hint: '1 for the first option; 0 for the next unused one'},
    {name: 'reason', label: 'Reason', kind: 'textarea'},
  ]},
  {type: 'expiry', label: 'Expiry', hint: 'The contract ends at its end date with nothing renewed.', fields: [
    {name: 'reason', label: 'Reason', kind: 'textarea'},
  ]},
  {type: 'notice_published', label: 'Notice published', hint: 'A public notice the contract owes (Find a Tender, Contracts Finder); it discharges the obligation it names.', fields: [
    {name: 'notice_type', label: 'Notice', kind: 'select', required: true, options: [['', 'Choose a notice'],
      ['contract_award_notice', 'Contract award notice'], ['contract_details_notice', 'Contract details notice'],
      ['contract_copy', 'Copy of the contract'], ['contract_change_notice', 'Contract change notice'],
      ['contract_performance_notice', 'Contract performance notice'],
      ['contract_termination_notice', 'Contract termination notice'], ['modification_notice', 'Modification notice (PCR 2015)'],
      ['contracts_finder_award', 'Contracts Finder award'], ['psr_intention_notice', 'PSR intention notice'],
      ['psr_award_notice', 'PSR award notice']]},
    {name: 'reference', label: 'Reference or URL', required: true},
    {name: 'published_on', label: 'Publication date', kind: 'date', required: true},
    {name: 'discharges_event_id', label: 'Event it discharges', kind: 'event', hint: 'Required for a change or modification notice: the variation'},
  ]},
];

export function eventType(type) { return EVENT_TYPES.find((t) => t.type === type) || null; }

// The label of an event type code (the timeline's "type"), or the code itself.
export function typeLabel(type) {
  const t = eventType(type);
  return t ? t.label : String(type || '').replace(/_/g, ' ');
}
