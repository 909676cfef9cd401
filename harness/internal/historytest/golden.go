package historytest

// From step/1-2.yaml (a named step that succeeds).
const StepSucceeds = `
- EventType: StepStarted
  SubType: Step
  EventId: 2
  Id: ${ID1}
  Name: custom_step_name
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepSucceeded
  SubType: Step
  EventId: 3
  Id: ${ID1}
  Name: custom_step_name
  EventTimestamp: '*'
  StepSucceededDetails: {}
- EventType: InvocationCompleted
  EventId: 4
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
`

// From step/1-11.yaml (fails once, then succeeds).
const RetryThenSuccess = `
- EventType: StepStarted
  SubType: Step
  EventId: 2
  Id: ${ID1}
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepFailed
  SubType: Step
  EventId: 3
  Id: ${ID1}
  EventTimestamp: '*'
  StepFailedDetails:
    Error: {}
    RetryDetails:
      CurrentAttempt: 1
      NextAttemptDelaySeconds: '*'
- EventType: InvocationCompleted
  EventId: 4
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
- EventType: StepStarted
  SubType: Step
  EventId: 5
  Id: ${ID1}
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepSucceeded
  SubType: Step
  EventId: 6
  Id: ${ID1}
  EventTimestamp: '*'
  StepSucceededDetails:
    Result: {}
    RetryDetails:
      CurrentAttempt: 2
- EventType: InvocationCompleted
  EventId: 7
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
`

// From step/1-19.yaml (a no-retry step fails permanently).
const NoRetryFailure = `
- EventType: StepStarted
  SubType: Step
  EventId: 2
  Id: ${ID1}
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepFailed
  SubType: Step
  EventId: 3
  Id: ${ID1}
  EventTimestamp: '*'
  StepFailedDetails:
    Error:
      Payload:
        ErrorMessage: '*'
        ErrorType: '*'
- EventType: InvocationCompleted
  EventId: 4
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
`

// From wait/2-1.yaml (a 2 s wait).
const Wait = `
- EventType: WaitStarted
  SubType: Wait
  EventId: 2
  Id: ${ID1}
  EventTimestamp: '*'
  WaitStartedDetails:
    Duration: 2
- EventType: InvocationCompleted
  EventId: 3
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
- EventType: WaitSucceeded
  SubType: Wait
  EventId: 4
  Id: ${ID1}
  EventTimestamp: '*'
  WaitSucceededDetails:
    Duration: 2
- EventType: InvocationCompleted
  EventId: 5
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
`

// From parallel/8-1.yaml (two branches, one step each, max concurrency 1).
const ParallelTwoBranches = `
- EventType: ContextStarted
  SubType: Parallel
  EventId: 2
  Id: ${CTX_P}
  EventTimestamp: '*'
  ContextStartedDetails: {}
- EventType: ContextStarted
  SubType: ParallelBranch
  EventId: 3
  Id: ${CTX_B1}
  ParentId: ${CTX_P}
  EventTimestamp: '*'
  ContextStartedDetails: {}
- EventType: StepStarted
  SubType: Step
  EventId: 4
  Id: ${STEP1}
  ParentId: ${CTX_B1}
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepSucceeded
  SubType: Step
  EventId: 5
  Id: ${STEP1}
  ParentId: ${CTX_B1}
  EventTimestamp: '*'
  StepSucceededDetails:
    Result:
      Payload: '"task-1"'
- EventType: ContextSucceeded
  SubType: ParallelBranch
  EventId: 6
  Id: ${CTX_B1}
  ParentId: ${CTX_P}
  EventTimestamp: '*'
  ContextSucceededDetails:
    Result:
      Payload: '"task-1"'
- EventType: ContextStarted
  SubType: ParallelBranch
  EventId: 7
  Id: ${CTX_B2}
  ParentId: ${CTX_P}
  EventTimestamp: '*'
  ContextStartedDetails: {}
- EventType: StepStarted
  SubType: Step
  EventId: 8
  Id: ${STEP2}
  ParentId: ${CTX_B2}
  EventTimestamp: '*'
  StepStartedDetails: {}
- EventType: StepSucceeded
  SubType: Step
  EventId: 9
  Id: ${STEP2}
  ParentId: ${CTX_B2}
  EventTimestamp: '*'
  StepSucceededDetails:
    Result:
      Payload: '"task-2"'
- EventType: ContextSucceeded
  SubType: ParallelBranch
  EventId: 10
  Id: ${CTX_B2}
  ParentId: ${CTX_P}
  EventTimestamp: '*'
  ContextSucceededDetails:
    Result:
      Payload: '"task-2"'
- EventType: ContextSucceeded
  SubType: Parallel
  EventId: 11
  Id: ${CTX_P}
  EventTimestamp: '*'
  ContextSucceededDetails: '*'
- EventType: InvocationCompleted
  EventId: 12
  EventTimestamp: '*'
  InvocationCompletedDetails: {}
`
