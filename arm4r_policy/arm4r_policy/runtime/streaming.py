"""Step-by-step inference over a sliding window of C steps, encoding every frame only once.

Each step's three tokens (language, observation, action) are kept once made. While the window
fills, the transformer extends its KV cache by the new tokens alone. Once the window is full and
slides, the oldest step leaves and the transformer runs again over the kept tokens: a token's
hidden state depends on every token before it in the window, so cached keys of a longer history
would no longer match a forward pass over the window. The image encoder, by far the larger cost,
never sees an old frame again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import torch

from arm4r_policy.errors import ObservationError
from arm4r_policy.model.arm4r import ARM4R
from arm4r_policy.model.transformer import KVCache


@dataclass
class _StepTokens:
    language: torch.Tensor  # (D,)
    observation: torch.Tensor  # (D,)
    action: torch.Tensor | None = None  # (D,), known once the next step arrives


class StreamingARM4R:
    """Feed one step at a time; get that step's (K, action_dim) prediction, as in ``ARM4R.forward``.

    Inputs are already normalised tensors: images (V, 3, H, W), state (state_dim,), the previous
    step's action (action_dim,) once there is a previous step, and the instruction's
    (text_dim,) embedding.
    """

    def __init__(self, model: ARM4R) -> None:
        self.model = model.eval()
        self.context = model.config.context
        self._steps: deque[_StepTokens] = deque()
        self._cache: KVCache | None = KVCache()

    @property
    def num_steps(self) -> int:
        """Steps in the window now (at most C)."""
        return len(self._steps)

    def reset(self) -> None:
        self._steps.clear()
        self._cache = KVCache()

    @torch.inference_mode()
    def step(
        self,
        images: torch.Tensor,
        state: torch.Tensor,
        instruction: torch.Tensor,
        previous_action: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if self._steps and previous_action is None:
            raise ObservationError("previous_action: required after the first step of an episode")
        model = self.model
        step = _StepTokens(
            language=model.encode_instruction(instruction[None])[0],
            observation=model.encode_observation(images[None], state[None])[0],
        )
        new_tokens = [step.language, step.observation]
        if self._steps:
            self._steps[-1].action = model.encode_action(previous_action[None])[0]
            new_tokens.insert(0, self._steps[-1].action)
        self._steps.append(step)

        if len(self._steps) > self.context:
            self._steps.popleft()
            self._cache = None
        if self._cache is not None:
            hidden = model.forward_tokens(torch.stack(new_tokens)[None], self._cache)
        else:
            hidden = model.forward_tokens(self._window_tokens()[None])
        return model.decode(hidden[0, -1])

    def _window_tokens(self) -> torch.Tensor:
        """(3C - 1, D): l_0, o_0, a_0, ..., l_{C-1}, o_{C-1}."""
        tokens = []
        for step in self._steps:
            tokens += [step.language, step.observation]
            if step.action is not None:
                tokens.append(step.action)
        return torch.stack(tokens)
