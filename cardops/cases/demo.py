def plan_demo_cases(timeline) -> str:
    return "demo cases: none"
